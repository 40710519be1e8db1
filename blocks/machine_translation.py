"""Machine translation providers: one small interface, a registry, and the two clients we ship.

    provider_for(name, base_url=, api_key=, timeout=) -> Provider
    Provider.translate(texts, source=, target=, html=) -> list[str]     one answer per text, in order

A provider is a class registered under a name (`@register("deepl")`); a site's configuration
(`blocks.models.MachineTranslationConfig`) names one, with the base URL of its API and its key. Adding a
provider is one class here and its test: nothing else knows the names.

- `deepl`: the DeepL API (`POST {base}/v2/translate`, JSON `text[]`, `source_lang`, `target_lang`,
  `tag_handling=html` for rich text; `Authorization: DeepL-Auth-Key …`), or any service that speaks it.
- `libretranslate`: LibreTranslate (`POST {base}/translate`, JSON `q[]`, `source`, `target`,
  `format=html|text`, `api_key`), self-hosted or not.

The clients use the standard library's HTTP client under one timeout per request, follow no redirects, and
turn every failure into `ProviderFailed` with a sentence a person can act on: `unavailable=True` (503) when
the provider could not be reached, timed out, or is over its quota or rate limit; otherwise (502) it
answered something we cannot use. The key is sent only in the request, never logged or put in a message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, ClassVar

BATCH = 50  # texts per request: DeepL's documented limit, and a reasonable body for LibreTranslate


class ProviderFailed(Exception):
    """The provider did not translate: `message` says why; `unavailable`: it could not be reached or is busy."""

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer we do not use (it could point anywhere)


_OPENER = urllib.request.build_opener(_NoRedirect)


class Provider:
    """A machine translation service. Subclasses set `name`, `label` and `_translate_batch`."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def __init__(self, *, base_url: str, api_key: str = "", timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, texts: list[str], *, source: str, target: str, html: bool) -> list[str]:
        """`texts` translated from `source` to `target` (locale codes such as `en`, `fr-CA`); `html`: the
        texts are HTML whose markup must be kept."""
        out: list[str] = []
        for start in range(0, len(texts), BATCH):
            chunk = texts[start : start + BATCH]
            answer = self._translate_batch(chunk, source=source, target=target, html=html)
            if len(answer) != len(chunk) or not all(isinstance(text, str) for text in answer):
                raise ProviderFailed(f"{self.label} answered {len(answer)} translations for {len(chunk)} texts.")
            out.extend(answer)
        return out

    def _translate_batch(self, texts: list[str], *, source: str, target: str, html: bool) -> list[str]:
        raise NotImplementedError

    def _post(self, path: str, body: dict, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
            method="POST",
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                raw = response.read(10 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc.code, _error_text(exc)) from None
        except TimeoutError:
            raise self._timed_out() from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise self._timed_out() from None
            raise ProviderFailed(
                f"{self.label} could not be reached ({reason}); nothing was written.", unavailable=True
            ) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise ProviderFailed(f"{self.label} answered something that is not JSON; nothing was written.") from None

    def _timed_out(self) -> ProviderFailed:
        return ProviderFailed(
            f"{self.label} did not answer within {self.timeout:g} seconds; nothing was written. Retry later.",
            unavailable=True,
        )

    def _http_error(self, status: int, detail: str) -> ProviderFailed:
        said = f": {detail}" if detail else ""
        if status in (401, 403):
            return ProviderFailed(f"{self.label} refused the API key (HTTP {status}{said}); check the key.")
        busy = status in (429, 456, 503) or status >= 500
        return ProviderFailed(f"{self.label} answered HTTP {status}{said}; nothing was written.", unavailable=busy)


def _error_text(exc: urllib.error.HTTPError) -> str:
    """The provider's own error sentence, when its body is JSON with one (`message` or `error`)."""
    try:
        body = json.loads(exc.read(64 * 1024) or b"{}")
    except (ValueError, OSError):
        return ""
    if isinstance(body, dict):
        text = body.get("message") or body.get("error") or ""
        return str(text)[:200]
    return ""


PROVIDERS: dict[str, type[Provider]] = {}


def register(name: str) -> Callable[[type[Provider]], type[Provider]]:
    def add(cls: type[Provider]) -> type[Provider]:
        assert name not in PROVIDERS, f"Two machine translation providers are named {name!r}."
        cls.name = name
        PROVIDERS[name] = cls
        return cls

    return add


def provider_for(name: str, *, base_url: str, api_key: str = "", timeout: float = 20.0) -> Provider:
    return PROVIDERS[name](base_url=base_url, api_key=api_key, timeout=timeout)


def choices() -> list[tuple[str, str]]:
    return [(name, cls.label) for name, cls in PROVIDERS.items()]


def _primary(code: str) -> str:
    return code.split("-")[0]


@register("deepl")
class DeepL(Provider):
    label = "DeepL"
    # Target variants DeepL names (the rest take the language alone).
    VARIANTS = frozenset({"EN-GB", "EN-US", "PT-BR", "PT-PT", "ZH-HANS", "ZH-HANT"})

    def _translate_batch(self, texts: list[str], *, source: str, target: str, html: bool) -> list[str]:
        wanted = target.upper() if target.upper() in self.VARIANTS else _primary(target).upper()
        body: dict[str, Any] = {"text": texts, "source_lang": _primary(source).upper(), "target_lang": wanted}
        if html:
            body["tag_handling"] = "html"
        answer = self._post("/v2/translate", body, {"Authorization": f"DeepL-Auth-Key {self.api_key}"})
        translations = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(translations, list):
            raise ProviderFailed("DeepL answered without `translations`; nothing was written.")
        return [item.get("text") if isinstance(item, dict) else None for item in translations]  # type: ignore[misc]


@register("libretranslate")
class LibreTranslate(Provider):
    label = "LibreTranslate"

    def _translate_batch(self, texts: list[str], *, source: str, target: str, html: bool) -> list[str]:
        body: dict[str, Any] = {
            "q": texts,
            "source": _primary(source),
            "target": _primary(target),
            "format": "html" if html else "text",
        }
        if self.api_key:
            body["api_key"] = self.api_key
        answer = self._post("/translate", body)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(translated, str):
            translated = [translated]
        if not isinstance(translated, list):
            raise ProviderFailed("LibreTranslate answered without `translatedText`; nothing was written.")
        return translated
