"""flake8-cio: find and fix Customer.io SDK misuse."""
__version__ = "0.1.0"
