"""cio-fix: rewrites what the flake8-cio engine finds, on libcst, keeping formatting and comments."""
