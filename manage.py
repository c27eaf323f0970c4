#!/usr/bin/env python
from masthead.__main__ import main

if __name__ == "__main__":
    main()
