"""`python -m livecheck` is the `livecheck` command."""
from livecheck.cli import main

raise SystemExit(main())
