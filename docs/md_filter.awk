# Doxygen input filter for the markdown pages (FILTER_PATTERNS in
# Doxyfile.in). README.md and docs/*.md are written for GitHub and must
# stay valid GitHub markdown, so the adjustments Doxygen needs are made
# here, on the way in, line for line (line numbers in warnings stay
# right):
#   - every heading below the title gets an explicit {#id} with the id
#     GitHub derives from its text (lower case, punctuation dropped,
#     spaces to '-'), so that links like [Building](#building) resolve;
#     a "###" heading before the first "##" becomes "##" (Doxygen refuses
#     a subsection outside a section);
#   - a link to a repository file or folder that is not part of the
#     reference (examples/, tests/...) keeps its text but loses its
#     target, which would be a dead link in the HTML; links to web
#     addresses, to anchors and to docs/security.md and docs/limits.md
#     (pages of the reference) stay;
#   - the title of docs/security.md and docs/limits.md gets the id
#     "security" or "limits", so their pages are named after the file, not
#     after the path of the source tree (md__work_..._limits.html).
# Fenced code blocks pass through untouched.
FNR == 1 && FILENAME !~ /README\.md$/ && /^# / {
  id = FILENAME
  sub(/^.*\//, "", id)
  sub(/\.md$/, "", id)
  print $0 " {#" id "}"
  next
}
/^```/ { fence = !fence; print; next }
fence { print; next }
FILENAME ~ /README\.md$/ && /^##+ / {
  if (!section && $0 ~ /^### /) sub(/^#/, "")
  if ($0 ~ /^## /) section = 1
  id = $0
  sub(/^#+ /, "", id)
  id = tolower(id)
  gsub(/[^a-z0-9 _-]/, "", id)
  gsub(/ /, "-", id)
  print $0 " {#" id "}"
  next
}
{
  line = $0
  out = ""
  while (match(line, /\[[^]]*\]\([^)]*\)/)) {
    link = substr(line, RSTART, RLENGTH)
    text = link
    sub(/\]\(.*$/, "", text)
    text = substr(text, 2)
    target = link
    sub(/^\[[^]]*\]\(/, "", target)
    sub(/\)$/, "", target)
    if (target ~ /^(https?:|mailto:|#)/ || target ~ /^(docs\/)?(security|limits)\.md$/)
      out = out substr(line, 1, RSTART + RLENGTH - 1)
    else
      out = out substr(line, 1, RSTART - 1) text
    line = substr(line, RSTART + RLENGTH)
  }
  print out line
}
