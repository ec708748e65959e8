/* BX24 shim for sandbox portals: the frame side of the postMessage protocol with the portal page. */
(function () {
  "use strict";
  var pending = {}, seq = 0, state = null, waiting = [], started = false;

  function send(cmd, args) {
    return new Promise(function (resolve) {
      var id = ++seq;
      pending[id] = resolve;
      window.parent.postMessage({ source: "bx24", id: id, cmd: cmd, args: args || {} }, "*");
    });
  }

  window.addEventListener("message", function (event) {
    var msg = event.data;
    if (!msg || msg.source !== "bx24-parent" || !pending[msg.id]) return;
    var resolve = pending[msg.id];
    delete pending[msg.id];
    resolve(msg.result);
  });

  function makeResult(method, params, response, callback) {
    var body = (response && response.body) || {};
    var error = body.error !== undefined
      ? { ex: { error: body.error, error_description: body.error_description }, status: response.status,
          toString: function () { return body.error + ": " + (body.error_description || ""); } }
      : undefined;
    return {
      answer: body,
      status: response ? response.status : 0,
      data: function () { return body.result; },
      error: function () { return error; },
      error_description: function () { return body.error_description; },
      total: function () { return body.total; },
      more: function () { return body.next !== undefined; },
      next: function (cb) {
        if (body.next === undefined) return false;
        call(method, Object.assign({}, params, { start: body.next }), cb || callback);
        return true;
      }
    };
  }

  function call(method, params, callback) {
    send("callMethod", { method: method, params: params }).then(function (response) {
      if (callback) callback(makeResult(method, params, response, callback));
    });
  }

  window.BX24 = {
    init: function (callback) {
      if (state) { if (callback) callback(); return; }
      waiting.push(callback);
      if (started) return;
      started = true;
      send("init").then(function (info) {
        state = info;
        waiting.splice(0).forEach(function (cb) { if (cb) cb(); });
      });
    },
    placement: {
      info: function () { return state ? { placement: state.placement, options: state.options } : { placement: "", options: {} }; }
    },
    getAuth: function () { return state ? state.auth : false; },
    getDomain: function () { return state ? state.auth.domain : ""; },
    isAdmin: function () { return !!(state && state.isAdmin); },
    resizeWindow: function (width, height, callback) {
      send("resize", { width: width, height: height }).then(function () { if (callback) callback(); });
    },
    fitWindow: function (callback) {
      var height = Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);
      window.BX24.resizeWindow("100%", height, callback);
    },
    callMethod: function (method, params, callback) {
      var copy = Object.assign({}, params || {});
      delete copy.start; // like the real library: paging goes through result.next()
      call(method, copy, callback);
    },
    installFinish: function () { send("installFinish"); },
    openPath: function (path, callback) { send("openPath", { path: path }).then(function () { if (callback) callback(); }); },
    reloadWindow: function () { send("reload"); }
  };
})();
