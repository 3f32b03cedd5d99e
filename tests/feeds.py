"""Reading a feed the way a feed reader does, for the feed tests of every app."""

import feedparser


def fetch_feed(client, url):
    """GET `url`; it must answer 200 and parse cleanly (no bozo flag). (response, feed)"""
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed
