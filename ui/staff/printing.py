"""Printing a report: the system's print dialog chooses the printer, and the PDF goes to it unchanged.

The printed page is the same PDF as "Save PDF" writes (reportlab's vector page, not a screen grab). Qt
cannot draw a PDF without the QtPdf add-on, so the file is handed to the print service: CUPS' ``lp`` on
Linux and macOS, the shell's "print" verb on Windows. "Print to file" in the dialog writes the PDF there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from sijpro.errors import UserError
from sijpro.reports.batch import write_pdf

PRINT_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class PrintChoice:
    printer: str
    copies: int = 1
    to_file: str = ""
    """Set when the user chose to print to a PDF file instead of a printer."""


def choose_printer(parent: QWidget | None, title: str) -> PrintChoice | None:
    """The system's print dialog; None when the user cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintSelection, False)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, False)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    to_file = printer.outputFileName() if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat else ""
    return PrintChoice(printer.printerName(), max(1, printer.copyCount()), to_file)


def print_pdf(pdf: bytes, choice: PrintChoice, title: str) -> None:
    """Send ``pdf`` where ``choice`` says; a print service that refuses it is a clear message."""
    if choice.to_file:
        write_pdf(Path(choice.to_file), pdf)
        return
    if sys.platform == "win32":  # the shell prints in the background: the file must outlive this call
        path = Path(tempfile.mkdtemp(prefix="sijpro-print-")) / "report.pdf"
        path.write_bytes(pdf)
        os.startfile(str(path), "print")
        return
    with tempfile.TemporaryDirectory(prefix="sijpro-print-") as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        _lp(path, choice, title)  # lp has copied the file into the spool when it returns


def _lp(path: Path, choice: PrintChoice, title: str) -> None:
    command = shutil.which("lp")
    if command is None:
        raise UserError("no print service was found on this computer (the 'lp' command of CUPS): save the PDF and "
                        "print it from a PDF viewer")
    arguments = [command, "-n", str(choice.copies), "-t", title]
    if choice.printer:
        arguments += ["-d", choice.printer]
    try:
        finished = subprocess.run([*arguments, str(path)], capture_output=True, text=True,
                                  timeout=PRINT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UserError(f"the print service did not take the report: {error}") from None
    if finished.returncode != 0:
        reason = (finished.stderr or finished.stdout).strip().splitlines()
        raise UserError(f"the printer {choice.printer or '(default)'} refused the report: "
                        f"{reason[0] if reason else 'no reason given'}")
