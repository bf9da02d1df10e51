#!/usr/bin/env bash
# Copies the page photographs the accessibility browser test takes (every demo page; desktop and phone; light and dark)
# into docs/screenshots/ and writes its gallery, docs/screenshots/README.md. Run the test first:
#   dotnet test Stoa.Dashboard.Tests --filter FullyQualifiedName~AccessibilityBrowserTests
set -euo pipefail
cd "$(dirname "$0")/.."
from=artifacts/screenshots/pages
[ -d "$from" ] || { echo "no $from: run the accessibility browser test first" >&2; exit 1; }
mkdir -p docs/screenshots
cp "$from"/*.jpg docs/screenshots/
{
    echo "# Every page of the demo"
    echo
    echo "Taken by the accessibility browser test (Chromium, 1440×900 and 390×844, light and dark), which also checks each view"
    echo "with axe-core. \`tools/update-screenshots.sh\` refreshes them."
    echo
    echo "| Page | Desktop, light | Desktop, dark | Phone, light | Phone, dark |"
    echo "|---|---|---|---|---|"
    for page in $(ls docs/screenshots/*-desktop-light.jpg | xargs -n1 basename | sed 's/-desktop-light.jpg//'); do
        row="| $page"
        for view in desktop-light desktop-dark phone-light phone-dark; do
            row="$row | <img src=\"$page-$view.jpg\" width=\"${view%%-*}\" alt=\"$page, $view\">"
        done
        echo "$row |"
    done | sed 's/width="desktop"/width="240"/g; s/width="phone"/width="90"/g'
} > docs/screenshots/README.md
echo "$(ls "$from"/*.jpg | wc -l) screenshots copied to docs/screenshots/, gallery in docs/screenshots/README.md"
