"""In-memory fakes of the services' ports (docs/decisions/021-ports-and-adapters.md), one module per
service: the fast unit tests of tests/unit run the real service code on them, and a contract test in
tests/integration runs the same checks on each fake and on the adapter it stands for, on moto."""
