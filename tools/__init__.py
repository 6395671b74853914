"""Helpers the tests, the benchmarks and deploy/ share: servers and the browser."""
