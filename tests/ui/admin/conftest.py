"""The admin pages over the demo clinic (see tests/ui/demo_clinic.py)."""

from tests.ui.demo_clinic import demo_path, demo_template, dialogs, open_clinic

__all__ = ["demo_path", "demo_template", "dialogs", "open_clinic"]
