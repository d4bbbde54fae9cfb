"""Remove from data/nlu/ every training example that (after normalisation) is also in a
held-out set: the held-out sets must never be trained on. Run after adding training data;
tests/unit/nlu/test_heldout_is_held_out.py fails the build until it has been run."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.nlu import HELDOUT, read_examples  # noqa: E402
from bot.text.scripts import normalize_for_nlu  # noqa: E402

held = {
    normalize_for_nlu(text)
    for files in HELDOUT.values()
    for path in files.values()
    if path.exists()
    for text, _ in read_examples(path)
}
removed = 0
for path in sorted(Path("data/nlu").glob("*.yml")):
    kept = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        example = re.match(r"^    - (.*)$", line)
        if example and normalize_for_nlu(example.group(1).strip()) in held:
            removed += 1
            continue
        kept.append(line)
    path.write_text("\n".join(kept), encoding="utf-8")
print(f"removed {removed} training examples that are in a held-out set")
