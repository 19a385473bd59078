from shop.audit.log import write  # noqa: F401  (the submodule `log` stays the module)
