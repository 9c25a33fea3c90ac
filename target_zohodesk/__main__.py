from target_zohodesk.target import TargetZohoDesk

TargetZohoDesk.cli()
