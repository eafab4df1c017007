"""The benchmark mailbox: N deterministic, realistic messages in mixed languages.

English, German, Spanish, Korean, Chinese and Japanese sentences; non-ASCII subjects as RFC 2047 encoded words;
bodies in UTF-8 (8bit or quoted-printable); about a fifth multipart/mixed with a base64 attachment (5-60 KiB),
a tenth multipart/alternative with an HTML part. Marker words appear at fixed rates so both servers must return
the same SEARCH counts: SUBJECT_WORD in every 50th subject, TEXT_WORD inside a sentence of every 100th body,
CJK_TEXT_WORD (Japanese, no spaces around it) inside every 100th body (offset 37).
"""
import base64
import quopri
import random
from email.header import Header

DOMAIN_PEOPLE = ["alice@example.org", "bob@example.net", "민준 <minjun@example.kr>", "王芳 <wangfang@example.cn>",
                 "佐藤 花子 <hanako@example.jp>", "Jürgen Weiß <juergen@example.de>", "María <maria@example.es>",
                 "support@shop.example.com", "newsletter@news.example.com", "carol@example.org"]
SENTENCES = {
    "en": ["The meeting moved to Thursday afternoon.", "Please review the attached draft before Friday.",
           "We shipped the new release to all customers.", "Thanks for the quick reply yesterday.",
           "The budget numbers look better than expected.", "Could you send me the slides again?"],
    "de": ["Die Besprechung wurde auf Donnerstag verschoben.", "Bitte prüfe den Entwurf bis Freitag.",
           "Wir haben die neue Version ausgeliefert.", "Vielen Dank für die schnelle Antwort."],
    "es": ["La reunión se movió al jueves por la tarde.", "Por favor revisa el borrador antes del viernes.",
           "Gracias por la respuesta rápida de ayer."],
    "ko": ["회의가 목요일 오후로 옮겨졌습니다.", "금요일 전까지 첨부한 초안을 검토해 주세요.", "어제 빠른 답장 감사합니다.",
           "예산 수치가 예상보다 좋아 보입니다."],
    "zh": ["会议改到星期四下午了。", "请在星期五之前审阅附件中的草稿。", "感谢你昨天的快速回复。", "预算数字看起来比预期好。"],
    "ja": ["会議は木曜日の午後に変更されました。", "金曜日までに添付の草案を確認してください。", "昨日は早速のご返信ありがとうございました。",
           "予算の数字は予想より良さそうです。"],
}
SUBJECTS = {
    "en": ["Status update", "Lunch on Friday?", "Invoice for November", "Re: release notes", "Travel plans",
           "Question about the API", "Weekly report"],
    "de": ["Statusbericht", "Mittagessen am Freitag?", "Rechnung für November", "Reiseplanung"],
    "es": ["Actualización de estado", "¿Almuerzo el viernes?", "Factura de noviembre"],
    "ko": ["주간 보고서", "금요일 점심?", "11월 청구서", "출장 계획"],
    "zh": ["每周报告", "星期五午饭？", "十一月发票", "出差计划"],
    "ja": ["週報", "金曜日のランチ？", "11月の請求書", "出張の予定"],
}
SUBJECT_WORD = "quarterly"
TEXT_WORD = "lighthouse"
CJK_TEXT_WORD = "図書館"
LANGS = list(SENTENCES)


def expected(count):
    """How many messages of a mailbox of `count` carry each marker (what SEARCH must return)."""
    return {"subject": len(range(0, count, 50)), "text": len(range(0, count, 100)),
            "cjk": len(range(37, count, 100))}


def _encode_header(text):
    return text if text.isascii() else Header(text, "utf-8").encode()


def message(i, recipient="bench@bench.test"):
    rng = random.Random(i * 7919 + 1)
    lang = LANGS[i % len(LANGS)]
    subject = rng.choice(SUBJECTS[lang])
    if i % 50 == 0:
        subject = f"{SUBJECT_WORD} {subject}"
    sender = DOMAIN_PEOPLE[rng.randrange(len(DOMAIN_PEOPLE))]
    paragraphs = []
    for _ in range(rng.randint(2, 8)):
        paragraphs.append(" ".join(rng.choice(SENTENCES[rng.choice([lang, lang, "en"])]) for _ in range(rng.randint(2, 6))))
    if i % 100 == 0:
        paragraphs.insert(1, f"We walked to the old {TEXT_WORD} after the meeting.")
    if i % 100 == 37:
        paragraphs.insert(1, f"明日は{CJK_TEXT_WORD}で資料を探します。")
    text = "\n\n".join(paragraphs) + f"\n\n-- \nmessage {i}\n"
    day = 1 + i % 28
    headers = [
        f"From: {_encode_header(sender)}",
        f"To: {recipient}",
        f"Subject: {_encode_header(subject)}",
        f"Date: Mon, {day:02d} Nov 2026 {i % 24:02d}:{i % 60:02d}:00 +0000",
        f"Message-ID: <bench-{i}@example.org>",
        "MIME-Version: 1.0",
    ]
    if i % 5 == 1:
        boundary = f"=_mixed_{i}"
        size = rng.randint(5 * 1024, 60 * 1024)
        blob = base64.encodebytes(rng.randbytes(size)).decode()
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                f"{text}\r\n--{boundary}\r\nContent-Type: application/pdf; name=\"report-{i}.pdf\"\r\n"
                f"Content-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{blob}\r\n--{boundary}--\r\n")
        headers.append(f"Content-Type: multipart/mixed; boundary=\"{boundary}\"")
    elif i % 10 == 2:
        boundary = f"=_alt_{i}"
        qp = quopri.encodestring(text.encode()).decode()
        html = "<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>"
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                f"{qp}\r\n--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                f"{html}\r\n--{boundary}--\r\n")
        headers.append(f"Content-Type: multipart/alternative; boundary=\"{boundary}\"")
    else:
        headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        body = text
    raw = "\r\n".join(headers) + "\r\n\r\n" + body
    return raw.replace("\r\n", "\n").replace("\n", "\r\n").encode()
