"""`ketnghia load-classifications FILE`: the classifications spec."""

from ketnghia.geo.importers import CLASSIFICATIONS
from ketnghia.imports.records import RecordsCommand


class Command(RecordsCommand):
    help = "Import unit classifications (unit code, scheme, value, from year, to year, legal basis) from a CSV or XLSX file. Nothing is written if any row is wrong."
    spec = CLASSIFICATIONS
