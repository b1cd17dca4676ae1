"""English in Kolkata (UTC+05:30), Sydney (southern DST) and Berlin."""

from tests.schedules.battery.base import ASK, GAP, REFUSE, span, w

KOLKATA_POINTS = [
    ("tomorrow at 3pm", w(2026, 1, 13, 15, 0)),
    ("at 9pm", w(2026, 1, 12, 21, 0)),
    ("at 6pm", w(2026, 1, 13, 18, 0)),
    ("2026-01-13T15:00+05:30", w(2026, 1, 13, 15, 0)),
    ("2026-01-13T15:00Z", REFUSE),
    ("2026-01-13T09:30Z", REFUSE),
    ("2026-01-13T15:00+05:00", REFUSE),
    ("tomorrow at 3pm IST", w(2026, 1, 13, 15, 0)),
    ("Monday at 7pm", ASK),
    ("Monday at 6pm", w(2026, 1, 19, 18, 0)),
    ("this Monday at 7pm", w(2026, 1, 12, 19, 0)),
    ("next Monday at 10am", w(2026, 1, 19, 10, 0)),
    ("tonight at 10", w(2026, 1, 12, 22, 0)),
    ("in 30 minutes", w(2026, 1, 12, 19, 15)),
    ("26 January at 10am", w(2026, 1, 26, 10, 0)),
    ("the 26th at 10:30am", w(2026, 1, 26, 10, 30)),
    ("15:30", w(2026, 1, 13, 15, 30)),
    ("quarter past seven tonight", w(2026, 1, 12, 19, 15)),
    ("Friday at 2", w(2026, 1, 16, 14, 0)),
    ("Friday at 8", ASK),
]

KOLKATA_OTHERS = [
    ("window", "today", span((2026, 1, 12), (2026, 1, 13)), {}),
    ("window", "this evening", span((2026, 1, 12, 17), (2026, 1, 13)), {}),
    ("window", "this week", span((2026, 1, 12), (2026, 1, 19)), {}),
    ("end", "till 4:30", w(2026, 1, 13, 16, 30), {"start": (2026, 1, 13, 15)}),
    ("end", "for 45 minutes", w(2026, 1, 13, 15, 45), {"start": (2026, 1, 13, 15)}),
    ("move", "an hour later", w(2026, 1, 14, 12, 0), {"start": (2026, 1, 14, 11)}),
    ("move", "to 3", w(2026, 1, 14, 15, 0), {"start": (2026, 1, 14, 11)}),
    ("move", "same time Friday", w(2026, 1, 16, 11, 0), {"start": (2026, 1, 14, 11)}),
]

SYDNEY_POINTS = [
    ("Sunday at 2:30am", ASK),
    ("Sunday at 2:30am AEDT", w(2026, 4, 5, 2, 30, fold=0)),
    ("Sunday at 2:30am AEST", w(2026, 4, 5, 2, 30, fold=1)),
    ("Sunday at 10am", w(2026, 4, 5, 10, 0)),
    ("tomorrow at 3pm", w(2026, 4, 3, 15, 0)),
    ("2026-04-05T02:30+11:00", w(2026, 4, 5, 2, 30, fold=0)),
    ("2026-04-05T02:30+10:00", w(2026, 4, 5, 2, 30, fold=1)),
    ("2026-04-05T02:30", ASK),
    ("October 4 at 2:30am", GAP),
    ("2026-10-04T02:30", GAP),
    ("October 4 at 3:30am", w(2026, 10, 4, 3, 30)),
    ("Thursday at 10am", ASK),
    ("Thursday at 8am", w(2026, 4, 9, 8, 0)),
    ("this Thursday at 10am", w(2026, 4, 2, 10, 0)),
    ("Saturday at 4", w(2026, 4, 4, 16, 0)),
    ("2026-04-05T02:30Z", REFUSE),
]

SYDNEY_OTHERS = [
    ("window", "Sunday", span((2026, 4, 5), (2026, 4, 6)), {}),
    ("window", "2026-10-04", span((2026, 10, 4), (2026, 10, 5)), {}),
    ("move", "a day later", w(2026, 4, 5, 14, 0), {"start": (2026, 4, 4, 14)}),
    ("move", "24 hours later", w(2026, 4, 5, 13, 0), {"start": (2026, 4, 4, 14)}),
    ("end", "till 3am", w(2026, 4, 5, 3, 0), {"start": (2026, 4, 4, 23)}),
    ("end", "for 2 hours", w(2026, 4, 5, 2, 30, fold=0), {"start": (2026, 4, 5, 0, 30)}),
    ("end", "for 3 hours", w(2026, 4, 5, 2, 30, fold=1), {"start": (2026, 4, 5, 0, 30)}),
]

BERLIN_POINTS = [
    ("Sunday at 2:30am", GAP),
    ("Sunday at 2:30", w(2026, 3, 29, 14, 30)),
    ("2026-03-29T02:30", GAP),
    ("Sunday at 3am", w(2026, 3, 29, 3, 0)),
    ("2026-10-25T02:30", ASK),
    ("2026-10-25T02:30+02:00", w(2026, 10, 25, 2, 30, fold=0)),
    ("October 25 at 2:30am CET", w(2026, 10, 25, 2, 30, fold=1)),
    ("tomorrow at 9am", w(2026, 3, 28, 9, 0)),
    ("Friday at 5pm", ASK),
    ("Friday at 3pm", w(2026, 4, 3, 15, 0)),
]
