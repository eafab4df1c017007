"""A small HTTP client that uses the web UI as a browser without JavaScript would: it reads the CSRF
token from the page that carries a form, then posts the form."""
import html
import re

import requests

CSRF = re.compile(r'name="_csrf" value="([^"]*)"')


class WebClient:
    def __init__(self, base, language=None, user_agent="starcon-e2e/1.0 (X11; Linux x86_64) Firefox/128.0"):
        self.base = base
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        if language:
            self.session.headers["Accept-Language"] = language

    def get(self, path, **kwargs):
        kwargs.setdefault("allow_redirects", True)
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def csrf(self, page_path):
        page = self.get(page_path)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {page_path} ({page.status_code})"
        return match.group(1)

    def post(self, path, data, page=None, csrf=True, **kwargs):
        """Posts a form found on `page` (default: `path`) with that page's CSRF token."""
        fields = dict(data)
        if csrf:
            fields["_csrf"] = self.csrf(page or path)
        kwargs.setdefault("allow_redirects", True)
        return self.session.post(self.base + path, data=fields, timeout=30, **kwargs)

    def setup_admin(self, setup_url, username="admin", display_name="Administrator", password=None):
        from conftest import PASSWORD
        path = setup_url.replace(self.base, "")
        response = self.post(path, {"username": username, "display_name": display_name,
                                    "password": password or PASSWORD, "password_confirm": password or PASSWORD})
        assert response.status_code == 200, response.text[:500]
        return response

    def login(self, username, password=None, expect=200):
        from conftest import PASSWORD
        response = self.post("/login", {"username": username, "password": password or PASSWORD})
        assert response.status_code == expect, (response.status_code, response.text[:300])
        return response

    def register(self, invite_link, username, display_name, password=None):
        from conftest import PASSWORD
        code = invite_link.rsplit("/", 1)[1]
        return self.post("/register", {"code": code, "username": username, "display_name": display_name,
                                       "password": password or PASSWORD, "password_confirm": password or PASSWORD},
                         page="/invite/" + code)

    def create_invitation(self, uses=1, days=7):
        response = self.post("/admin/invitations", {"uses": str(uses), "expires_days": str(days)})
        assert response.status_code == 200, response.text[:300]
        links = re.findall(r'value="(http://[^"]+/invite/[^"]+)"', response.text)
        assert links, "no invitation link on the page"
        return html.unescape(links[0])


def text_of(page_html):
    """The visible text of a page, roughly: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page_html))
