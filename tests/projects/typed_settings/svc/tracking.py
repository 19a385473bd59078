from customerio import CustomerIO, Regions

from svc.settings import REGIONS_BY_NAME, CustomerIOSettings, Settings, get_settings, settings


class Tracker:
    def __init__(self, config: Settings):
        self.config = config
        cfg = config.customer_io
        self.client = CustomerIO(cfg.site_id, cfg.api_key, region=self.config.customer_io.region)  # expect: CIO405
        self.plain = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.plain_region)  # expect: CIO405
        self.right = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.region_object)
        self.member = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.region_member)
        self.maybe = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.maybe_region)  # expect: CIO405
        self.mixed = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.mixed)
        self.either = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.either)  # expect: CIO405
        self.several = CustomerIO(cfg.site_id, cfg.api_key, region=config.customer_io.several)
        self.mapped = CustomerIO(cfg.site_id, cfg.api_key, region=REGIONS_BY_NAME[config.customer_io.region])
        self.chosen = CustomerIO(cfg.site_id, cfg.api_key,
                                 region=Regions.EU if config.customer_io.region == "eu" else Regions.US)


def from_module_instance():
    return CustomerIO(region=settings.customer_io.region)  # expect: CIO405


def from_cached_getter():
    return CustomerIO(region=get_settings().customer_io.plain_region)  # expect: CIO405


def from_parameter(cio_settings: CustomerIOSettings):
    return CustomerIO(cio_settings.site_id, cio_settings.api_key, region=cio_settings.region)  # expect: CIO405


def not_the_settings(other):
    return CustomerIO(region=other.customer_io.region)


def through_a_local(config: Settings):
    cfg = config.customer_io
    return CustomerIO(cfg.site_id, cfg.api_key, region=cfg.region)  # expect: CIO405


class Holder:
    region = "eu"
    site_id: str

    def build(self):
        return CustomerIO(self.site_id, region=self.region)  # expect: CIO405


def built_by_classmethod():
    from svc.settings import from_env, legacy
    CustomerIO(region=legacy.customer_io.region)  # nothing says what a staticmethod builds
    return CustomerIO(region=from_env.customer_io.region)  # expect: CIO405
