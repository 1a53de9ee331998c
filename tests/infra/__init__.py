"""Test infrastructure: pytest plugins for services the tests start themselves."""
