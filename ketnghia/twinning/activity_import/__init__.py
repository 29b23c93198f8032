"""Activities from the field: the visit report XLSForm, the bulk-entry template, their import.

`xlsform.activity_xlsform` (ODK Central, KoBoToolbox), `template.activity_template` (.xlsx)
and `pipeline.activity_import` (their CSV export and the filled template, two phases).
"""
