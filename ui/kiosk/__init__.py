"""The patient kiosk: a locked tablet a nurse hands to one patient for their due questionnaires.

``KioskWindow`` (window.py) is the whole kiosk; ``KioskRunner`` (runner.py) is one patient's run,
driven by ``QuestionnaireFlow`` (flow.py, no Qt), over the calls listed in ``KioskBackend``.
"""
