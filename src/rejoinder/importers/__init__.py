"""Readers of other systems' exports, one module per format, and the registry `rejoinder import` uses.
Adding a format is one module implementing `base.Importer` plus one line in `REGISTRY`."""

from __future__ import annotations

from rejoinder.importers.base import Importer
from rejoinder.importers.commento import CommentoImporter
from rejoinder.importers.disqus import DisqusImporter
from rejoinder.importers.isso import IssoImporter
from rejoinder.importers.jsonl import JsonlImporter
from rejoinder.importers.remark42 import Remark42Importer
from rejoinder.importers.wxr import WxrImporter

REGISTRY: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        WxrImporter(),
        DisqusImporter(),
        CommentoImporter(),
        Remark42Importer(),
        IssoImporter(),
        JsonlImporter(),
    )
}
