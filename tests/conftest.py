import sys
from pathlib import Path

# Test helpers (casefiles.py, tf_snippets.py) are imported as plain modules.
sys.path.insert(0, str(Path(__file__).parent))
