"""Qualification applications (资质认定申请): initial, extension, change, renewal, reduction, with
their assessment, decision, certificate and working-day clocks on a working calendar."""
