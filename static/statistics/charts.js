/* 查看分类统计's four pie charts (reference §5.2): data from the page's JSON endpoint, drawn with the
   project's own copy of Apache ECharts (static/vendor/echarts), a plain table beside each chart. */
(function () {
  "use strict";
  var box = document.getElementById("stat-charts");
  if (!box || !window.echarts) return;
  window.statCharts = {};

  function fillTable(key, data) {
    var body = document.querySelector("#chart-table-" + key + " tbody");
    body.textContent = "";
    data.forEach(function (d) {
      var tr = document.createElement("tr"), name = document.createElement("td"), value = document.createElement("td");
      name.textContent = d.name; value.textContent = d.value;
      tr.appendChild(name); tr.appendChild(value); body.appendChild(tr);
    });
  }

  function draw(chart) {
    var el = document.getElementById("chart-" + chart.key);
    if (!el) return;
    var shown = chart.data.filter(function (d) { return d.value > 0; });
    var instance = echarts.init(el, null, {renderer: "canvas"});
    instance.setOption({
      animation: false,
      tooltip: {trigger: "item", formatter: "{b}：{c}（{d}%）"},
      legend: {type: "scroll", orient: "vertical", right: 0, top: 20, bottom: 20},
      title: shown.length ? undefined : {text: "暂无数据", left: "center", top: "middle", textStyle: {color: "#999", fontSize: 14}},
      series: [{name: chart.title, type: "pie", radius: ["0%", "65%"], center: ["35%", "50%"], data: shown,
                label: {formatter: "{b}\n{d}%"}}]
    });
    window.statCharts[chart.key] = instance;
    fillTable(chart.key, chart.data);
  }

  fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (payload) { payload.charts.forEach(draw); box.dataset.ready = "1"; })
    .catch(function () {
      document.querySelectorAll(".chart-table tbody").forEach(function (b) { b.innerHTML = "<tr><td colspan=\"2\">统计图加载失败，请刷新重试</td></tr>"; });
    });
  window.addEventListener("resize", function () { Object.keys(window.statCharts).forEach(function (k) { window.statCharts[k].resize(); }); });
})();
