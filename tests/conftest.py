import sys
from pathlib import Path

# Test helpers (casefiles.py, tf_snippets.py, requires.py) are imported as plain modules.
# A test that lacks a dependency calls requires.require(...): it skips here and fails under CI.
sys.path.insert(0, str(Path(__file__).parent))

# Case projects are user-like code judged by test_case_projects.py, never test modules.
collect_ignore = ["cases_projects"]
