#!/usr/bin/env python
"""Same as the `ketnghia` console command, for those used to manage.py."""

from ketnghia.cli import main

if __name__ == "__main__":
    main()
