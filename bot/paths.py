"""Where the project's data files live. data/hotline/ holds what a deploying canton edits
(routing, directory, contacts, texts, resources); data/nlu/ and data/rules.yml train the model."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data" / "hotline"
