"""Properties of the package as a whole."""

import subprocess
import sys


def test_import_does_not_load_tensorflow():
    code = "import sys, lstm_lib; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
