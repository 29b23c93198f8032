"""What a cycle delivered, from the field: the template, the XLSForm, their import (a spec).

`template.delivery_template` (.xlsx, pre-filled, marked with the cycle and commune),
`xlsform.delivery_xlsform` (ODK Central, KoBoToolbox) and `pipeline.DELIVERIES` (the spec
both come back through: preview, confirmation, error workbook, set-based write).
"""
