"""BRISQUE features (Mittal, Moorthy & Bovik 2012), computed as OpenCV contrib computes them, faster.

The 36 numbers are, at full size and at half size: the shape and the mean variance of an asymmetric
generalised Gaussian (AGGD) fitted to the MSCN coefficients (2), then shape, mean, left variance and
right variance of an AGGD fitted to each of the four neighbour products H, V, D1, D2 (4 x 4).

Where OpenCV's ``cv2.quality.QualityBRISQUE`` (modules/quality/src/qualitybrisque.cpp) differs from
the paper, this module follows OpenCV, so that OpenCV's LIVE model files score our features:

* grey is ``cvtColor(BGR2GRAY)`` on the 8-bit image (BT.601 weights, rounded to uint8), then
  ``/ 255`` in float32; everything after is float32 (the paper's MATLAB code works in double on
  0..255 values);
* the local mean/variance window is ``GaussianBlur(7x7, sigma = 7/6, BORDER_REPLICATE)``, the
  variance is ``blur(x^2) - blur(x)^2`` (where rounding makes it negative, the square root is NaN,
  and OpenCV's sums skip those pixels: we set them to 0, which its sums also skip), and the
  stabilising constant is added to sigma: ``C = 1/255`` on the 0..1 scale (the paper's C = 1 on 0..255);
* the MSCN coefficients get the same AGGD fit as the products (the paper fits a symmetric GGD):
  feature 1 is the AGGD shape, feature 2 is ``(sigma_left^2 + sigma_right^2) / 2``;
* a neighbour product is taken over the full frame with zeros where the neighbour falls outside it,
  so the AGGD moment ratio divides by ``rows * cols`` although only the non-zero products are
  counted for the left/right variances;
* the half-size image is ``resize(INTER_CUBIC)`` to ``(cols // 2, rows // 2)`` (the paper: MATLAB
  ``imresize(0.5)``, antialiased bicubic);
* the shape is the point of the grid ``0.2, 0.201, ... < 10`` (built by repeated ``+= 0.001`` in
  double, as OpenCV does) whose ``rho(gamma) = G(2/g)^2 / (G(1/g) G(3/g))`` is nearest to the
  estimate; a NaN estimate (no positive or no negative values at all) gives the last grid point.

OpenCV spends most of its time on a frame in per-pixel C++ loops with bounds checks: one
copies each shifted product image element by element, one branches on the sign of every value, and
a 9800-step ``tgamma`` search runs per fit. Here each shifted product is one contiguous multiply of
|m| at a fixed offset, the sign-split sums come from ``meanStdDev`` + a masked ``norm`` (both sum in
double, like OpenCV) with byte sign codes marking the negative products, all elementwise work runs
on row strips that stay in the CPU's L2 cache, and the grid search is a ``searchsorted`` on a table
built once. Each float32 value is produced by the same arithmetic as OpenCV's, so the features agree
to float rounding of the sums (tests/test_brisque_reference.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

FEATURE_COUNT = 36
MIN_SIDE = 2
"""Smallest width/height accepted: the half-size image must have at least one pixel."""

_WINDOW = (7, 7)
_WINDOW_SIGMA = 7.0 / 6.0
_HALO = _WINDOW[0] // 2
_C = np.float32(1.0 / 255.0)
_TO_UNIT = np.float32(1.0 / 255.0)
_STRIP_BYTES = 256 * 1024
"""Target size of one float32 row strip: several of them fit the L2 cache together."""

# Neighbour offsets (row, col) in OpenCV's order H, V, D1, D2: product of m[i, j] and m[i+dy, j+dx].
_SHIFTS: tuple[tuple[int, int], ...] = ((0, 1), (1, 0), (1, 1), (-1, 1))


@cache
def _gamma_table() -> tuple[np.ndarray, np.ndarray]:
    """OpenCV's shape grid (accumulated exactly as its loop does) and rho(gamma) on it, increasing."""
    grid: list[float] = []
    g = 0.2
    while g < 10.0:
        grid.append(g)
        g += 0.001
    gammas = np.array(grid)
    rho = np.array([math.gamma(2 / v) ** 2 / (math.gamma(1 / v) * math.gamma(3 / v)) for v in grid])
    return gammas, rho


def _shape_from_rho(rho_hat: float) -> float:
    """The grid shape whose rho is nearest ``rho_hat``: what OpenCV's stop-at-first-rise loop returns.

    rho(gamma) increases on the grid, so the loop stops right after the nearest point; on a tie it
    takes the later one. Below the table it returns the first point, above it or NaN the last.
    """
    gammas, rho = _gamma_table()
    if not math.isfinite(rho_hat):
        return float(gammas[-1])
    i = int(np.searchsorted(rho, rho_hat))
    if i == 0:
        return float(gammas[0])
    if i == len(rho):
        return float(gammas[-1])
    return float(gammas[i - 1] if rho[i] - rho_hat > rho_hat - rho[i - 1] else gammas[i])


@dataclass(slots=True)
class _SignedSums:
    """Sums OpenCV's AGGD fit needs, split by sign; zeros (and patched NaNs) count in neither.

    Strips are added as MAGNITUDES |v| plus a mask of where v < 0: one ``meanStdDev`` of |v|
    gives sum|v| and sum v^2, a masked ``norm`` the negative side. Both sum in double.
    """

    abs_sum: float = 0.0
    square_sum: float = 0.0
    neg_square_sum: float = 0.0
    neg_count: int = 0
    nonzero: int = 0

    def add(self, magnitudes: np.ndarray, negative: np.ndarray, nonzero: int) -> None:
        n = magnitudes.size
        mean, std = cv2.meanStdDev(magnitudes)
        m, s = float(mean[0, 0]), float(std[0, 0])
        self.abs_sum += n * m
        self.square_sum += n * (s * s + m * m)
        self.neg_square_sum += cv2.norm(magnitudes, cv2.NORM_L2SQR, mask=negative)
        self.neg_count += cv2.countNonZero(negative)
        self.nonzero += nonzero

    def fit(self, total: int) -> tuple[float, float, float]:
        """(shape, sigma_left, sigma_right) of the AGGD, by OpenCV's moment-matching formulas."""
        pos_count = self.nonzero - self.neg_count
        pos_square_sum = max(self.square_sum - self.neg_square_sum, 0.0)
        if self.neg_count == 0 or pos_count == 0:  # OpenCV: 0/0 -> NaN sigma and shape
            left = math.sqrt(self.neg_square_sum / self.neg_count) if self.neg_count else math.nan
            right = math.sqrt(pos_square_sum / pos_count) if pos_count else math.nan
            return _shape_from_rho(math.nan), left, right
        left = math.sqrt(self.neg_square_sum / self.neg_count)
        right = math.sqrt(pos_square_sum / pos_count)
        g = left / right
        r_hat = (self.abs_sum / total) ** 2 / (self.square_sum / total)
        r_norm = r_hat * (g**3 + 1) * (g + 1) / (g**2 + 1) ** 2
        return _shape_from_rho(r_norm), left, right


def _strip_bounds(height: int, width: int) -> list[tuple[int, int]]:
    """Row ranges of (nearly) equal strips of about ``_STRIP_BYTES`` float32 each."""
    rows = max(8, _STRIP_BYTES // (4 * width))
    count = -(-height // rows)
    rows = -(-height // count)
    return [(r0, min(height, r0 + rows)) for r0 in range(0, height, rows)]


def _blur(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(src, _WINDOW, _WINDOW_SIGMA, dst=dst, sigmaY=_WINDOW_SIGMA,
                            borderType=cv2.BORDER_REPLICATE)


@dataclass(frozen=True, slots=True)
class _MscnStrip:
    """Views for one strip's MSCN pass (built once per frame size; the buffers are reused)."""

    src: np.ndarray  # input rows with the blur halo
    square: np.ndarray
    mu: np.ndarray
    var: np.ndarray
    mu_rows: np.ndarray  # the computed rows of mu / var
    var_rows: np.ndarray
    x_rows: np.ndarray
    mscn: np.ndarray  # signed coefficients (reuses the x^2 strip)
    edge: np.ndarray  # the extra column of mscn, zeroed
    positive: np.ndarray
    negative: np.ndarray
    nonzero: np.ndarray
    code: np.ndarray  # window rows receiving the codes / magnitudes
    swapped: np.ndarray
    magnitude: np.ndarray
    frame: tuple[np.ndarray, ...]  # window rows outside the image, zeroed
    own_magnitude: np.ndarray  # the strip's own rows, for the MSCN sums
    own_negative: np.ndarray
    own_nonzero: np.ndarray
    computed: int  # real pixels computed (own rows + neighbour rows)


@dataclass(frozen=True, slots=True)
class _PairStrip:
    """Views for one neighbour direction over one strip: factors, codes, scratch, valid pairs."""

    a: np.ndarray
    b: np.ndarray
    code_a: np.ndarray
    code_b: np.ndarray
    swapped_b: np.ndarray
    product: np.ndarray
    opposite: np.ndarray
    same: np.ndarray
    pairs: int  # pairs inside the image


class _ScaleWork:
    """Buffers, views and running sums for the 18 features of one scale, reused frame after frame.

    Work goes strip by strip (a few hundred KiB of float32 each) and nothing but the input is
    frame-sized, so the two dozen elementwise passes per pixel stay in the L2 cache instead of
    streaming through memory (which other processes share); all views are built once per size.

    Each strip computes its coefficients for its rows plus the row above and the row below (the
    neighbours its products need; 2 rows recomputed per strip) into a *window*: |m| and sign codes
    in rows 0..n+1 with one extra column, zero where outside the image, plus one spare element.
    Each neighbour product of the strip is then ONE contiguous multiply at a fixed offset in the
    window; products that reach into the zero frame are 0 and drop out of every sum and count, just
    as the products with OpenCV's zero-filled shifted copies do. The input ``x`` has one extra
    column too, a copy of the last one, which leaves a replicate-border blur of the real columns
    unchanged.
    """

    def __init__(self, height: int, width: int) -> None:
        h, stride = height, width + 1
        self.height, self.width, self.stride = h, width, stride
        self.x = np.empty((h, stride), np.float32)
        self.x_view = self.x[:, :width]
        """Fill this (h, w) view with the float32 image, then call run()."""
        self.bounds = _strip_bounds(h, stride)
        rows = max(r1 - r0 for r0, r1 in self.bounds)
        size = (rows + 2) * stride + 1
        # Sign codes: 0x55 where m > 0, 0xAA where m < 0, 0 where m == 0 and in the frame. The AND
        # of two codes is non-zero iff the signs agree; AND with the swapped code iff they differ.
        magnitude = np.zeros(size, np.float32)
        code, swapped = np.zeros(size, np.uint8), np.zeros(size, np.uint8)
        halo_rows = rows + 2 + 2 * _HALO
        square, mu, var = (np.empty((halo_rows, stride), np.float32) for _ in range(3))
        positive, negative, nonzero = (np.empty((rows + 2, stride), np.uint8) for _ in range(3))
        # The products run after the strip's coefficients: they reuse mu's strip and the masks.
        product, opposite, same = mu.reshape(-1), positive.reshape(-1), negative.reshape(-1)

        self.strips: list[tuple[_MscnStrip, list[_PairStrip]]] = []
        for r0, r1 in self.bounds:
            n = r1 - r0
            lo, hi = max(0, r0 - 1), min(h, r1 + 1)  # rows computed: own + neighbours in the image
            a, b = max(0, lo - _HALO), min(h, hi + _HALO)  # blur input rows
            computed, first = hi - lo, lo - (r0 - 1)  # window row of image row lo
            own = slice(r0 - lo, r0 - lo + n)

            def rows_of(flat: np.ndarray, row: int, count: int) -> np.ndarray:
                # 2-D views: cv2 reads short 1-D arrays as scalars
                return flat[row * stride:(row + count) * stride].reshape(count, stride)

            frame = [rows_of(buf, row, 1) for row in (0, n + 1) if not 0 <= r0 - 1 + row < h
                     for buf in (magnitude, code, swapped)]
            m = square[:computed]
            mscn = _MscnStrip(
                src=self.x[a:b], square=square[:b - a], mu=mu[:b - a], var=var[:b - a],
                mu_rows=mu[lo - a:hi - a], var_rows=var[lo - a:hi - a], x_rows=self.x[lo:hi],
                mscn=m, edge=m[:, width], positive=positive[:computed], negative=negative[:computed],
                nonzero=nonzero[:computed], code=rows_of(code, first, computed),
                swapped=rows_of(swapped, first, computed), magnitude=rows_of(magnitude, first, computed),
                frame=tuple(frame), own_magnitude=rows_of(magnitude, 1, n), own_negative=negative[own],
                own_nonzero=nonzero[own], computed=computed * width)
            pairs = []
            for dy, dx in _SHIFTS:
                off = dy * stride + dx
                window = slice(stride, (n + 1) * stride)
                shifted = slice(stride + off, (n + 1) * stride + off)
                pairs.append(_PairStrip(
                    a=magnitude[window].reshape(n, stride), b=magnitude[shifted].reshape(n, stride),
                    code_a=code[window].reshape(n, stride), code_b=code[shifted].reshape(n, stride),
                    swapped_b=swapped[shifted].reshape(n, stride),
                    product=product[:n * stride].reshape(n, stride),
                    opposite=opposite[:n * stride].reshape(n, stride),
                    same=same[:n * stride].reshape(n, stride),
                    pairs=max(min(r1, h - dy) - max(r0, -dy), 0) * (width - dx)))
            self.strips.append((mscn, pairs))

    def run(self) -> list[float]:
        """The 18 features of what ``x_view`` holds now."""
        self.x[:, -1] = self.x[:, -2]
        mscn_sums = _SignedSums()
        pair_sums = [_SignedSums() for _ in _SHIFTS]
        for mscn, pairs in self.strips:
            nothing_zero = self._mscn_strip(mscn, mscn_sums)
            for v, sums in zip(pairs, pair_sums, strict=True):
                self._pair_strip(v, sums, nothing_zero)
        return self._features(mscn_sums, pair_sums)

    @staticmethod
    def _mscn_strip(v: _MscnStrip, sums: _SignedSums) -> bool:
        """MSCN of one window with the exact operation sequence of OpenCV's float32 code; adds the
        sums of the strip's own rows and returns whether no computed coefficient is 0. The blur
        gets a 3-row halo: the computed rows get exactly the values a full-frame blur gives, since
        the 7x7 window reads only real rows there."""
        np.square(v.src, out=v.square)  # x * x, as OpenCV's multiply(x, x)
        _blur(v.src, v.mu)
        _blur(v.square, v.var)
        m = v.mscn  # x^2's strip, free once var is blurred
        np.square(v.mu_rows, out=m)  # OpenCV: pow(mu, 2), which multiplies
        cv2.subtract(v.var_rows, m, dst=v.var_rows)
        cv2.sqrt(v.var_rows, dst=v.var_rows)  # NaN where rounding made the variance negative
        np.add(v.var_rows, _C, out=v.var_rows)
        cv2.subtract(v.x_rows, v.mu_rows, dst=m)
        cv2.divide(m, v.var_rows, dst=m)
        v.edge[:] = 0.0
        cv2.patchNaNs(m, 0.0)
        cv2.compare(m, 0.0, cv2.CMP_GT, dst=v.positive)
        cv2.compare(m, 0.0, cv2.CMP_LT, dst=v.negative)
        cv2.bitwise_or(v.positive, v.negative, dst=v.nonzero)
        cv2.bitwise_xor(v.positive, 0xAA, dst=v.code)  # 0x55 where > 0, 0xAA elsewhere
        cv2.bitwise_and(v.code, v.nonzero, dst=v.code)
        cv2.bitwise_xor(v.code, v.nonzero, dst=v.swapped)
        np.abs(m, out=v.magnitude)
        for row in v.frame:
            row[:] = 0
        sums.add(v.own_magnitude, v.own_negative, cv2.countNonZero(v.own_nonzero))
        return cv2.countNonZero(v.nonzero) == v.computed

    @staticmethod
    def _pair_strip(v: _PairStrip, sums: _SignedSums, nothing_zero: bool) -> None:
        """Sums of one neighbour product over one strip, as magnitudes |a| |b| + sign masks."""
        cv2.multiply(v.a, v.b, dst=v.product)
        cv2.bitwise_and(v.code_a, v.swapped_b, dst=v.opposite)
        if nothing_zero:  # every pair inside the image has a non-zero product
            count = v.pairs
        else:
            cv2.bitwise_and(v.code_a, v.code_b, dst=v.same)
            count = cv2.countNonZero(v.same) + cv2.countNonZero(v.opposite)
        sums.add(v.product, v.opposite, count)

    def _features(self, mscn_sums: _SignedSums, pair_sums: list[_SignedSums]) -> list[float]:
        total = self.height * self.width
        shape, left, right = mscn_sums.fit(total)
        features = [shape, (left * left + right * right) / 2]
        for sums in pair_sums:
            shape, left, right = sums.fit(total)
            g1, g2, g3 = math.gamma(1 / shape), math.gamma(2 / shape), math.gamma(3 / shape)
            mean = (right - left) * (g2 / g1) * (math.sqrt(g1) / math.sqrt(g3))
            features += [shape, mean, left * left, right * right]
        return features


def _grey(image: np.ndarray) -> np.ndarray:
    """OpenCV BRISQUE's grey conversion (cvtColor BGR2GRAY / BGRA2GRAY); grey passes through."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    elif image.ndim != 2:
        raise ValueError(f"expected a grey, BGR or BGRA image, got shape {image.shape}")
    if min(image.shape) < MIN_SIDE:
        raise ValueError(f"image {image.shape[1]}x{image.shape[0]} is too small for BRISQUE "
                         f"(needs at least {MIN_SIDE}x{MIN_SIDE})")
    return image


class BrisqueFeatures:
    """Computes BRISQUE features, keeping its buffers for the next frame of the same size.

    Not thread-safe: give each thread its own. ``brisque_features()`` is the one-off form.
    """

    def __init__(self) -> None:
        self._work: tuple[_ScaleWork, _ScaleWork] | None = None

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """The 36 BRISQUE features of a grey, BGR or BGRA image (uint8 expected), as float32."""
        grey = _grey(image)
        h, w = grey.shape
        if self._work is None or self._work[0].x_view.shape != (h, w):
            self._work = (_ScaleWork(h, w), _ScaleWork(h // 2, w // 2))
        full, half = self._work
        np.multiply(grey, _TO_UNIT, out=full.x_view, dtype=np.float32)  # convertTo(CV_32F, 1/255)
        cv2.resize(full.x_view, (w // 2, h // 2), dst=half.x_view, interpolation=cv2.INTER_CUBIC)
        return np.array(full.run() + half.run(), dtype=np.float32)


def brisque_features(image: np.ndarray) -> np.ndarray:
    """The 36 BRISQUE features of a grey, BGR or BGRA image (uint8 expected), as float32.

    Equal to ``cv2.quality.QualityBRISQUE_computeFeatures(image)`` up to float rounding of sums.
    A frame with no structure at all (constant) gives NaN variances, as OpenCV's does.
    """
    return BrisqueFeatures()(image)
