// Submits forms marked data-autosubmit, as Canvas's auth response page does.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.submit();
});
