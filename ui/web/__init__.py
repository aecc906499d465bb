"""The at-home patient web app behind ``sijpro serve``: server-rendered HTML over the clinic's services.

It shows one invited visit's questionnaires, one item per screen, with the kiosk's own flow
(``ui.kiosk.flow``: order, review, skip rules) and never imports Qt, the kiosk's widgets or storage.
"""
