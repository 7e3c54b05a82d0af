"""Synthetic sample data: a world of SME customers written as deliveries to the landing contract.

    from sme_credit_sample import extend_world, generate_world
    summary = generate_world(Path("data/landing"), scale="demo", seed=42)
    extend_world(Path("data/landing"), days=1)  # the next day's deliveries

Layout of the package: `firms` draws the population (registry facts and hidden economics), `economy` turns it into
monthly sales and the road to default, one module per source system writes its feed (`enterprise`, `tax`,
`utilities`, `court`, `settlement`), `landing` formats and writes files, `world` runs the month loop, `faults`
writes the catalogue of malformed deliveries. The hidden truth (which firm defaults when, what each fault must
lead to, what the world is made of) goes to `<landing>/../ground_truth/`.
"""

from sme_credit_sample.landing import LandingNotEmpty
from sme_credit_sample.world import SCALES, GenerationSummary, Scale, extend_world, generate_world

__all__ = ["SCALES", "GenerationSummary", "LandingNotEmpty", "Scale", "extend_world", "generate_world"]
