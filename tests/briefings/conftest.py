from tests.intel.conftest import new_item  # noqa: F401  (the item factory of the intel tests)
