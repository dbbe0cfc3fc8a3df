"""Privacy: an employee's data export (JSON in a ZIP) and erasure (anonymisation), each built
from a registry of per-feature exporters and anonymisers."""
