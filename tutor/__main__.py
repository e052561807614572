"""Allow `python -m tutor` as a synonym of the `dl-tutor` command."""

from tutor.cli import main

raise SystemExit(main())
