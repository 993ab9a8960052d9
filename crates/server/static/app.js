// govshare: progressive enhancement only. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Forms that ask before they act (refuse, revoke, sign off): data-confirm="…".
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // Uploads with a progress bar: <form data-upload> with a <progress> inside. Without script the
  // form posts normally and the browser shows its own progress.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var bar = form.querySelector("progress");
      var status = form.querySelector("[data-upload-status]");
      if (!bar || !window.XMLHttpRequest || !window.FormData) return;
      e.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) {
          bar.max = ev.total;
          bar.value = ev.loaded;
          if (status) status.textContent = "已上传 " + Math.round((ev.loaded / ev.total) * 100) + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        if (status) status.textContent = "上传完成，正在逐行校验……";
      });
      xhr.addEventListener("load", function () {
        // The server answers with the page to show (the validation report) or a redirect.
        if (xhr.responseURL && xhr.responseURL !== form.action) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        if (status) status.textContent = "上传失败，请检查网络后重试";
      });
      xhr.send(new FormData(form));
    });
  });
});
