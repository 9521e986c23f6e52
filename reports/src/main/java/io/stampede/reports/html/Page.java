package io.stampede.reports.html;

/**
 * One self-contained HTML page: uPlot's style and script, the report's own style and script
 * ({@code report.css}, {@code report.js}) and the data, all inline. The page records in the DOM
 * whether its charts rendered ({@code <body data-charts="N">}) and every script error ({@code
 * <pre id="js-errors">}), so a headless browser's {@code --dump-dom} can check it.
 */
public final class Page {
    private Page() {}

    /** The report page. */
    static String assemble(String title, String body, String dataJson) {
        return assemble(title, body, dataJson, "report.js");
    }

    /**
     * A page of this package: {@code body} is trusted HTML, {@code dataJson} goes into {@code
     * <script type="application/json" id="report-data">} (script-safe), {@code script} is the
     * resource that draws the charts.
     */
    public static String assemble(String title, String body, String dataJson, String script) {
        String uplot = Assets.uplotJs();
        String own = Assets.own(script);
        String shared = Assets.own("charts.js");
        for (String js : new String[] {uplot, own, shared}) {
            if (js.toLowerCase().contains("</script")) {
                throw new IllegalStateException("inline script contains </script");
            }
        }
        StringBuilder b = new StringBuilder(body.length() + dataJson.length() + uplot.length() + 16_384);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // nothing may be fetched: everything is inline
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<title>").append(HtmlReport.esc(title)).append("</title>\n")
                .append("<script>window.__errors=[];window.onerror=function(m,s,l,c){window.__errors.push(String(m)+' @'+l+':'+c);")
                .append("var e=document.getElementById('js-errors');if(e){e.textContent=window.__errors.join('\\n');e.hidden=false;}};")
                .append("(function(){var ce=console.error;console.error=function(){window.__errors.push('console.error: '+")
                .append("Array.prototype.join.call(arguments,' '));ce.apply(console,arguments);};})();</script>\n")
                .append("<style>").append(Assets.uplotCss()).append("</style>\n")
                .append("<style>").append(Assets.own("report.css")).append("</style>\n")
                .append("</head>\n<body data-charts=\"pending\">\n<main>\n")
                .append(body)
                .append("<pre id=\"js-errors\" hidden></pre>\n</main>\n")
                .append("<script type=\"application/json\" id=\"report-data\">").append(dataJson).append("</script>\n")
                .append("<script>").append(uplot).append("</script>\n")
                .append("<script>").append(shared).append("</script>\n")
                .append("<script>").append(own).append("</script>\n")
                .append("</body></html>\n");
        return b.toString();
    }
}
