"""A check made once, at import: this folder is not shared with HIPS autograd, whose import name is ours too."""

import os

# The import name `autograd` is also HIPS autograd's. Installed into one environment, the two write
# into one folder, and neither works; say so rather than fail later with a puzzling ImportError.
HIPS_FILES = ("core.py", "tracer.py", "differential_operators.py", "wrap_util.py")
if any(os.path.exists(os.path.join(os.path.dirname(__file__), name)) for name in HIPS_FILES):
    raise ImportError(
        f"the folder {os.path.dirname(__file__)} holds two packages that are both imported as `autograd`: "
        "scalar-autograd (this one) and HIPS autograd (pip's 'autograd'), whose files overwrite each other. "
        "Use one per environment: pip uninstall -y autograd scalar-autograd, then reinstall the one you want "
        "(for scalar-autograd: pip install -e . from its clone), or give each its own virtual environment"
    )
