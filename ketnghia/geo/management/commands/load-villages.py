"""`ketnghia load-villages FILE`: the villages spec (`geo.importers.VILLAGES`)."""

from ketnghia.geo.importers import VILLAGES
from ketnghia.imports.records import RecordsCommand


class Command(RecordsCommand):
    help = "Import villages (commune code, village name, optional village code and kind) from a CSV or XLSX file. Nothing is written if any row is wrong."
    spec = VILLAGES
