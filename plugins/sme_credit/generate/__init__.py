"""Synthetic sample data: a world of SME customers written as monthly deliveries to the landing contract.

    from sme_credit.generate import generate_world
    summary = generate_world(Path("data/landing"), scale="demo", seed=42)

Layout of the package: `firms` draws the population (registry facts and hidden economics), `economy` turns it into
monthly sales and the road to default, one module per source system writes its feed (`enterprise`, `tax`,
`utilities`, `court`, `settlement`), `landing` formats and writes files, `world` runs the month loop.
The hidden truth (which firm defaults when) goes to `<landing>/../ground_truth/defaults.csv`.
"""

from sme_credit.generate.landing import LandingNotEmpty
from sme_credit.generate.world import SCALES, GenerationSummary, Scale, generate_world

__all__ = ["SCALES", "GenerationSummary", "LandingNotEmpty", "Scale", "generate_world"]
