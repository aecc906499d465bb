"""The staff desktop: first run, sign-in, the nurse's worklist and records, and the pages others plug in."""
