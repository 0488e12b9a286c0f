"""Events, places, units and tags: where and when footage was filmed, who is in it, what it shows.

``taxonomy`` holds ACLED's event types, ``gazetteer`` the offline Syria gazetteer, ``units``
the armed-formations vocabulary, ``incidents`` the event database with ``acled`` CSV import and
export, ``tags`` the tags on videos, ``history`` the versions of both, ``posts`` turns news
posts into draft events, and ``sun`` is the chronolocation aid.
"""
