"""What a monitor's browser posts: the report form's fields, filled in as a monitor would."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reports.attachment_files import jpeg_with_gps


def form_data(**overrides) -> dict:
    data = {
        "client_id": str(uuid.uuid4()),
        "category": "execution",
        "occurred_date": "2025-03-07",
        "occurred_time": "06:30",
        "time_precision": "1",
        "admin1": "SY06",
        "admin2": "",
        "place_name": "القرداحة",
        "latitude": "",
        "longitude": "",
        "geo_precision": "",
        "title": "ثلاثة رجال قتلوا أمام منازلهم",
        "narrative": "Witnesses in hiding describe gunmen going house to house.",
        "perpetrator": "Armed men in uniform",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": "2",
        "source_notes": "Neighbour, reached by phone",
        "restored_date": "",
        "restored_time": "",
        "casualties-TOTAL_FORMS": "2",
        "casualties-INITIAL_FORMS": "0",
        "casualties-MIN_NUM_FORMS": "0",
        "casualties-MAX_NUM_FORMS": "30",
        "casualties-0-kind": "killed",
        "casualties-0-group": "civilian",
        "casualties-0-low": "3",
        "casualties-0-high": "4",
        "casualties-0-scope": "incident",
        "casualties-1-kind": "",
        "casualties-1-group": "civilian",
        "casualties-1-low": "",
        "casualties-1-high": "",
        "casualties-1-scope": "incident",
    }
    data.update(overrides)
    return data


def photo(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")
