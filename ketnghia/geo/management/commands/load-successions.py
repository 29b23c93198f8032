"""`ketnghia load-successions FILE`: the successions spec."""

from ketnghia.geo.importers import SUCCESSIONS
from ketnghia.imports.records import RecordsCommand


class Command(RecordsCommand):
    help = "Import successions between units (old unit code, new unit code, date, share, note) from a CSV or XLSX file. Nothing is written if any row is wrong."
    spec = SUCCESSIONS
