from tap_zohodesk.tap import TapZohoDesk

TapZohoDesk.cli()
