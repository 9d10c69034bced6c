"""Streamlit's own words in the page's language.

Streamlit writes some texts of its widgets itself, in English: the file uploader's button
and size limit, the table toolbar's buttons, the "Running..." status, the sidebar's
collapse button, a select box's "Choose an option". Streamlit has no setting for them, so
on a Welsh page a small script puts the Welsh in their place in the page itself — the
text of the button, the ``aria-label`` of an icon button, the placeholder of an input —
so that what a screen reader reads is what the page shows. It changes only these exact
texts (never a name or a value from the data) and keeps changing them when Streamlit
redraws; back on an English page it puts the English back.

The Welsh comes from the catalogue (``dashboard.po``) like every other string; texts with
a placeholder (``{x}``: "Help for {x}", "{x} per file") match by what comes before and
after it.
"""

from __future__ import annotations

import json

from hotspots.i18n import N_, translator

#: Streamlit's texts that a user sees or hears, exactly as Streamlit 1.67 writes them.
BUILTIN_TEXTS = (
    # the file uploader
    N_("Upload"),
    N_("Browse files"),
    N_("Drag and drop files here"),
    N_("Drag and drop a file here"),
    N_("Drag and drop directories here"),
    N_("{x} per file"),
    N_("file upload"),
    N_("Add files"),
    # the table toolbar
    N_("Show/hide columns"),
    N_("Download as CSV"),
    N_("Search"),
    N_("Fullscreen"),
    N_("Close fullscreen"),
    N_("Exit fullscreen"),
    N_("Copy to clipboard"),
    # the page's frame
    N_("Running..."),
    N_("Stop"),
    N_("Collapse sidebar"),
    N_("Expand sidebar"),
    N_("Sidebar"),
    N_("Main menu"),
    N_("Skip to main content"),
    N_("Link to heading"),
    # select boxes and help buttons
    N_("Choose an option"),
    N_("Open"),
    N_("Help for {x}"),
)

#: Where the script changes text (Streamlit's own parts); attributes anywhere.
_TEXT_PLACES = ",".join(
    f'[data-testid="{t}"]'
    for t in (
        "stFileUploader",
        "stStatusWidget",
        "stSkipToContent",
        "stTooltipContent",
    )
)

# Written without <, > or & (the page's HTML keeps the script as text).
_SCRIPT = (
    "(function(){window.__words={lang:LANG,pairs:PAIRS};"
    "function rules(){var w=window.__words,to={},pre=[];w.pairs.forEach(function(p){"
    "var a=w.lang==='cy'?p[0]:p[1],b=w.lang==='cy'?p[1]:p[0];"
    "if(a.indexOf('{x}')===-1){to[a]=b}else{pre.push([a.split('{x}'),b.split('{x}')])}});"
    "return [to,pre]}"
    "function tr(r,s){var t=s.trim();if(!t)return null;"
    "if(Object.prototype.hasOwnProperty.call(r[0],t))return s.replace(t,r[0][t]);"
    "for(var i=0;i!==r[1].length;i++){var a=r[1][i][0],b=r[1][i][1];"
    "if(Math.sign(t.length-a[0].length-a[1].length)===1){"
    "if(t.startsWith(a[0])){if(t.endsWith(a[1])){"
    "var x=t.slice(a[0].length,t.length-a[1].length);"
    "return s.replace(t,b[0]+x+b[1])}}}}return null}"
    "function apply(){var r=rules();"
    "document.querySelectorAll(PLACES).forEach(function(root){"
    "var w=document.createTreeWalker(root,4),n;while((n=w.nextNode())){"
    "var v=tr(r,n.nodeValue);if(v!==null){if(v!==n.nodeValue)n.nodeValue=v}}});"
    "document.querySelectorAll('[aria-label],[placeholder],[title]').forEach(function(e){"
    "['aria-label','placeholder','title'].forEach(function(k){var o=e.getAttribute(k);"
    "if(o===null)return;var v=tr(r,o);if(v!==null){if(v!==o)e.setAttribute(k,v)}})})}"
    "window.__wordsApply=apply;apply();"
    "if(!window.__wordsOn){window.__wordsOn=1;var due=0;"
    "new MutationObserver(function(){if(due)return;due=1;"
    "requestAnimationFrame(function(){due=0;window.__wordsApply()})})"
    ".observe(document.body,{childList:true,subtree:true,characterData:true,"
    "attributes:true,attributeFilter:['aria-label','placeholder','title']})}})();"
)


def pairs() -> list[tuple[str, str]]:
    """Each of Streamlit's texts with its Welsh (those the catalogue has)."""
    cy = translator("cy")
    return [(en, cy(en)) for en in BUILTIN_TEXTS if cy(en) != en]


def builtin_words_script(lang: str) -> str:
    """The script (its text, to go inside ``<script>``) that puts Streamlit's own texts
    into ``lang`` on the page and keeps them so."""
    script = (
        _SCRIPT.replace("LANG", json.dumps(lang))
        .replace("PAIRS", json.dumps(pairs()))
        .replace("PLACES", json.dumps(_TEXT_PLACES))
    )
    if set("<>&") & set(script):  # the page's HTML would take it as markup
        raise ValueError("Streamlit's words must not contain <, > or &")
    return script
