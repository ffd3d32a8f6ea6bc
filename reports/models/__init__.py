from .accounts import Organisation, User
from .gazetteer import Area, AreaAlias, Category
from .report import Attachment, AttachmentAccess, AttachmentType, Report, ReportCasualty, ReviewDecision

__all__ = [
    "Area",
    "AreaAlias",
    "Attachment",
    "AttachmentAccess",
    "AttachmentType",
    "Category",
    "Organisation",
    "Report",
    "ReportCasualty",
    "ReviewDecision",
    "User",
]
