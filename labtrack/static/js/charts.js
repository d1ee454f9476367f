/* Charts drawn in the browser from the JSON the page carries (labtrack/charts.py builds it).
 * Every element `.lt-chart[data-chart]` holds an ECharts option whose texts are already in the
 * page's language; this adds the shared look: the title and the legend above the plotting area
 * (never over the data), labels kept inside the box, tooltips, and redraws on resize and print. */
(function () {
  "use strict";

  var charts = [];

  function withDefaults(option, el) {
    var top = 4;
    var font = window.getComputedStyle(document.body).fontFamily;
    option.animation = false;
    option.textStyle = Object.assign({ fontFamily: font }, option.textStyle || {});
    if (typeof option.title === "string") {
      option.title = {
        text: option.title,
        left: "center",
        top: top,
        textStyle: { fontSize: 13, fontWeight: 600, fontFamily: font },
      };
      top += 24;
    }
    if (option.legend) {
      option.legend = Object.assign(
        { type: "scroll", top: top, left: "center", itemGap: 14, textStyle: { fontFamily: font } },
        option.legend
      );
      top += 28;
    }
    // Room below for an axis title written under the axis (containLabel counts only the labels),
    // and above for the value axis' title, written over its top end (below the legend).
    var xName = option.xAxis && !Array.isArray(option.xAxis) && option.xAxis.name;
    var yAxes = [].concat(option.yAxis || []);
    var yName = yAxes.some(function (axis) {
      return axis && axis.name;
    });
    option.grid = Object.assign(
      { left: 8, right: 24, top: top + (yName ? 34 : 16), bottom: xName ? 30 : 8, containLabel: true },
      option.grid || {}
    );
    if (!option.tooltip) {
      option.tooltip = { trigger: "axis", confine: true };
    }
    // Tooltips drawn on the canvas: ECharts' HTML tooltips write markers with style attributes, which
    // the Content-Security-Policy refuses (style-src-attr 'none').
    [].concat(option.tooltip).forEach(function (tooltip) {
      if (tooltip && !tooltip.renderMode) tooltip.renderMode = "richText";
    });
    option.aria = { enabled: true };
    if (el.clientWidth < 500 && option.xAxis && !Array.isArray(option.xAxis)) {
      // Phones: fewer, smaller axis labels so that nothing leaves the box.
      option.xAxis.axisLabel = Object.assign({ fontSize: 10, hideOverlap: true }, option.xAxis.axisLabel || {});
    }
    return option;
  }

  function draw(el) {
    var option;
    try {
      option = JSON.parse(el.getAttribute("data-chart"));
    } catch (err) {
      return;
    }
    el.style.width = "100%";
    el.style.height = (parseInt(el.getAttribute("data-height"), 10) || 320) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(withDefaults(option, el));
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
  }

  function resizeAll() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  function start() {
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll(".lt-chart[data-chart]").forEach(draw);
    window.addEventListener("resize", resizeAll);
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
