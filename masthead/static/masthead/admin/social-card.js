// Redraws the shared-card preview in the page editor from the form's fields as they change.
(function () {
  "use strict";

  function truncate(text, length) {
    text = text.replace(/\s+/g, " ").trim();
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function setUp(card) {
    var form = card.closest("form");
    if (!form) return;
    var title = card.querySelector("[data-social-card-title]");
    var description = card.querySelector("[data-social-card-description]");
    var picture = card.querySelector("[data-social-card-image]");
    var field = function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      return input ? input.value : "";
    };

    // Which picture the card shows: the social image, else the lead image, as "field:id".
    function chosenImage() {
      var names = ["social_image", "lead_image"];
      for (var i = 0; i < names.length; i++) {
        var input = form.querySelector('[name="' + names[i] + '"]');
        if (input && input.value) {
          return { key: names[i] + ":" + input.value, input: input };
        }
      }
      return { key: "", input: null };
    }

    // The server drew the picture chosen when the page loaded; redraw only when the choice
    // changes, from the chooser's thumbnail.
    var shownImage = chosenImage().key;
    function update() {
      title.textContent = truncate(field("seo_title") || field("title"), 120) || "Untitled";
      description.textContent = truncate(
        field("search_description") || field("standfirst") || field("intro"), 200
      );
      var chosen = chosenImage();
      if (chosen.key === shownImage) return;
      shownImage = chosen.key;
      picture.textContent = "";
      var thumbnail = chosen.input
        ? document.querySelector("#" + chosen.input.id + "-chooser [data-chooser-image]")
        : null;
      if (thumbnail) {
        var image = document.createElement("img");
        image.src = thumbnail.getAttribute("src");
        image.alt = "";
        picture.appendChild(image);
      } else {
        var empty = document.createElement("span");
        empty.className = "social-card__no-image";
        empty.textContent = "No picture: choose a social image or a lead image.";
        picture.appendChild(empty);
      }
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    new MutationObserver(update).observe(form, {
      subtree: true,
      attributes: true,
      attributeFilter: ["value", "src"],
    });
    update();
  }

  function start() {
    document.querySelectorAll("[data-social-card]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
