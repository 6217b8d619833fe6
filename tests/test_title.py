"""The offline title: the memo's topic in the speaker's words, never a filler or a fragment."""

import re

import pytest

from voiceblog.title import offline_title

FILLERS = {"so", "um", "uh", "okay", "ok", "well", "and", "like", "right", "yeah", "hello"}


@pytest.mark.parametrize(
    "opening, title",
    [
        ("So, this is a memo about walking to work. I started in March.", "Walking to Work"),
        # A title cue Whisper misheard ("post" as "course"), from an en-gb-scotland espeak memo
        (
            "So the title of this course is going to be notes from a small garden. The spring I "
            "finally planted a vegetable garden behind the house.",
            "Notes From a Small Garden",
        ),
        # "is" is no topic word for the other introducers: the memo's topic, not "Long"
        (
            "This post is going to be long, sorry. The bakery raised its prices twice this year "
            "and the bakery owner explained why.",
            "The Bakery Raised Its Prices Twice This Year",
        ),
        (
            "Okay, so I want to talk about why prices rise at the bakery. It raised them twice.",
            "Why Prices Rise at the Bakery",
        ),
        (
            "I have been baking bread at home for a year now, and I want to write down what "
            "happened. The dough needs more water than the recipe says. Flour is cheap.",
            "Baking Bread at Home for a Year Now",
        ),
        (
            "And so, my fellow Americans, ask not what your country can do for you, ask what you "
            "can do for your country.",
            "Ask Not What Your Country Can Do for You",
        ),
        (
            "This memo is about the papers I read this month, and what I want to try next.",
            "The Papers I Read This Month",
        ),
        ("So I've been thinking a lot about pricing. Pricing is hard.", "Notes on Pricing"),
        (
            "Um. So. Has anyone noticed how loud the city got? Traffic noise is everywhere.",
            "Has Anyone Noticed How Loud the City Got",
        ),
    ],
)
def test_offline_title(opening, title):
    assert offline_title([opening]) == title


@pytest.mark.parametrize(
    "memo",
    [
        "So. Um, yeah. So the thing is, I went to the market on Saturday and the tomatoes were "
        "gone by nine, every single stall, and the farmers say the heat ruined the harvest.",
        "Okay. Has it really been a year since we moved to Lisbon? The apartment is small but "
        "the light is incredible, and the light is why we stayed.",
        "Right, so, quick one. Testing the new microphone on the walk home, the wind is loud "
        "and the microphone picks up every gust of wind on the bridge.",
        "Hello hello. So basically this is going to be a long one about hiring engineers, "
        "interviews, take-home tasks, and what I learned from fifty interviews this spring.",
        "Testing, testing.",
    ],
)
def test_an_offline_title_is_a_few_specific_words_in_title_case(memo):
    title = offline_title([memo])
    words = title.split()
    assert 3 <= len(words) <= 10, title
    assert "…" not in title and "..." not in title
    assert words[0].lower().strip(",.") not in FILLERS, title
    assert all(
        w[0].isupper() or w in {"a", "an", "the", "of", "to", "in", "on", "and"} for w in words
    )
    content = {w.lower().strip(",.?") for w in words} - {"notes", "on", "the", "a", "of", "to"}
    assert content & set(re.findall(r"[\w'-]+", memo.lower())), "a title from the memo's words"
