"""livecheck: real-time quality hints for camera previews (blurry, too dark, too bright, noisy)."""
from livecheck.fastchecks import Assessment, FrameMetrics, assess

__all__ = ["Assessment", "FrameMetrics", "assess", "__version__"]
__version__ = "0.1.0"
